// Chart.js is tree-shaken: a chart can draw only what has been registered. The benchmark charts and the
// live view draw the same kinds (lines, bars, filled areas), so they register them once, here.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(
  LineController,
  BarController,
  LineElement,
  BarElement,
  PointElement,
  LinearScale,
  CategoryScale,
  Legend,
  Tooltip,
  Filler,
);

export type { ChartConfiguration } from 'chart.js';
export { Chart };
