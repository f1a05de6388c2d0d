// The live training chart: loss (left axis) and accuracy in % (right axis)
// against the step. Only the chart.js parts a line chart needs are registered,
// so the rest of chart.js is left out of the bundle.
import { Chart, LineController, LineElement, PointElement, LinearScale, Legend, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

type Point = { x: number; y: number };

export class TrainingChart {
  private readonly chart: Chart<'line', Point[]>;

  constructor(canvas: HTMLCanvasElement) {
    const line = (label: string, color: string, yAxisID: string, points = false) => ({
      label, data: [] as Point[], borderColor: color, backgroundColor: color, yAxisID,
      borderWidth: 2, pointRadius: points ? 3 : 0, pointHitRadius: 6, tension: 0.2,
    });
    this.chart = new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [
          line('training loss', '#e4572e', 'loss'),
          line('training accuracy %', '#17bebb', 'acc'),
          line('test accuracy %', '#4f6d7a', 'acc', true),
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: 'step (batches of 64)' }, min: 0 },
          loss: { type: 'linear', position: 'left', min: 0, title: { display: true, text: 'loss' } },
          acc: { type: 'linear', position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: 'accuracy %' } },
        },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 14 } } },
      },
    });
  }

  add(step: number, loss: number, accuracy: number, testAccuracy: number | null): void {
    const [l, a, t] = this.chart.data.datasets;
    if (Number.isFinite(loss)) l.data.push({ x: step, y: loss });
    if (Number.isFinite(accuracy)) a.data.push({ x: step, y: accuracy * 100 });
    if (testAccuracy !== null) t.data.push({ x: step, y: testAccuracy * 100 });
    this.chart.update('none');
  }
}
