/**
 * ECharts, only the parts the pages draw (tree-shaken: line, bar and box-plot charts, the canvas renderer),
 * behind one Preact component. Every chart is a `<div data-chart="<name>" role="img" aria-label=…>` and is
 * registered in `window.__ztCharts[name]`, which answers the option the chart was drawn with
 * (`chart.getOption()`): tests compare the drawn data with the API's figures, not merely that a canvas exists.
 * Each chart has a table of the same figures beside it, for keyboards and screen readers.
 */
import { BarChart, BoxplotChart, LineChart } from 'echarts/charts';
import { AriaComponent, DatasetComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';

echarts.use([LineChart, BarChart, BoxplotChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DatasetComponent, MarkLineComponent, AriaComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

declare global {
  interface Window {
    __ztCharts?: Record<string, () => unknown>;
  }
}

const registry = (): Record<string, () => unknown> => (window.__ztCharts ??= {});

export function Chart({ name, label, option, height = 320 }: { name: string; label: string; option: ChartOption; height?: number }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts>();
  useEffect(() => {
    const el = element.current!;
    const instance = echarts.init(el, undefined, { renderer: 'canvas', locale: 'ZH' });
    chart.current = instance;
    registry()[name] = () => instance.getOption();
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(el);
    return () => {
      resize.disconnect();
      delete registry()[name];
      instance.dispose();
    };
  }, [name]);
  useEffect(() => {
    // Tooltips drawn on the canvas (richText): no HTML injected, nothing the CSP would have to allow.
    chart.current?.setOption({ aria: { enabled: true }, tooltip: { trigger: 'axis', renderMode: 'richText' }, animation: false, ...option }, true);
  }, [option]);
  return <div ref={element} class="chart" data-chart={name} role="img" aria-label={label} style={{ height: `${height}px` }} />;
}
