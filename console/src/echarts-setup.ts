/**
 * ECharts, only the parts the pages draw (tree-shaken: line, bar and box-plot charts, the canvas renderer).
 * Its own chunk of the build, imported by charts.tsx when a page with charts is shown: the sign-in page and the
 * pages without charts never load it, and on a chart page it loads while the page asks the API for its figures.
 */
import { BarChart, BoxplotChart, LineChart } from 'echarts/charts';
import { AriaComponent, DatasetComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, BoxplotChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DatasetComponent, MarkLineComponent, AriaComponent, CanvasRenderer]);

export { echarts };
