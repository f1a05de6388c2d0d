// The live training chart: loss (left axis) and accuracy in % (right axis)
// against the step, drawn with uPlot (about 50 KB minified, a third of
// chart.js's line-chart parts), so the page stays small. Its stylesheet is
// demo/dist/uplot.css (scripts/build-demo.mjs), linked from index.html.
import uPlot from 'uplot';

// uPlot takes columns over one shared x: a step without a value is a null.
type Columns = [number[], (number | null)[], (number | null)[], (number | null)[]];

const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const LABEL_FONT = `bold ${AXIS_FONT}`;
// Series 1..3: training loss, training accuracy, test accuracy.
const COLORS = ['', '#e4572e', '#17bebb', '#4f6d7a'];

export class TrainingChart {
  private readonly plot: uPlot;
  private readonly data: Columns = [[], [], [], []];

  constructor(box: HTMLElement) {
    const line = (label: string, color: string, scale: string): uPlot.Series => ({
      label, scale, stroke: color, width: 2, points: { show: false },
    });
    const axis = (label: string, scale: string, side: uPlot.Axis.Side, grid = true): uPlot.Axis => ({
      label, scale, side, font: AXIS_FONT, labelFont: LABEL_FONT, labelSize: 20, size: 44,
      grid: { show: grid, stroke: '#eef1f4', width: 1 }, ticks: { stroke: '#dde3e9', width: 1 },
    });
    this.plot = new uPlot({
      width: Math.max(box.clientWidth, 200),
      height: 240,
      scales: {
        // A little room past the last step, so its test-accuracy dot is not cut off.
        x: { time: false, range: (_u, _min, max) => [0, Math.max(max ?? 0, 10) * 1.03] },
        loss: { range: (_u, _min, max) => [0, Math.max(max ?? 0, 0.1) * 1.05] },
        acc: { range: [0, 100] },
      },
      axes: [
        axis('step (batches of 64)', 'x', 2),
        axis('loss', 'loss', 3),
        axis('accuracy %', 'acc', 1, false),
      ],
      series: [
        {},
        line('training loss', COLORS[1], 'loss'),
        line('training accuracy %', COLORS[2], 'acc'),
        // Measured every 100 steps: dots joined across the steps in between.
        { ...line('test accuracy %', COLORS[3], 'acc'), spanGaps: true, points: { show: true, size: 7, fill: COLORS[3] } },
      ],
      legend: { live: false, markers: { fill: (_u, i) => COLORS[i] } },
      cursor: { points: { show: false } },
    }, this.data, box);
    // Fill the box: its width, and its height less the legend under the plot.
    const legend = this.plot.root.querySelector<HTMLElement>('.u-legend');
    const fit = () => this.plot.setSize({
      width: Math.max(box.clientWidth, 200),
      height: Math.max(box.clientHeight - (legend?.offsetHeight ?? 0), 120),
    });
    new ResizeObserver(fit).observe(box);
    fit();
  }

  add(step: number, loss: number, accuracy: number, testAccuracy: number | null): void {
    const [x, l, a, t] = this.data;
    x.push(step);
    l.push(Number.isFinite(loss) ? loss : null);
    a.push(Number.isFinite(accuracy) ? accuracy * 100 : null);
    t.push(testAccuracy !== null ? testAccuracy * 100 : null);
    this.plot.setData(this.data);
  }
}
