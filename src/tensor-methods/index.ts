// Loads every area's Tensor methods (see install.ts for the pattern). One line per area.
import './shape.js';
import './elementwise.js';
import './reduce.js';
