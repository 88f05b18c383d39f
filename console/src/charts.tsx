/**
 * Charts behind one Preact component, drawn by ECharts (echarts-setup.ts, a chunk loaded on first use). Every
 * chart is a `<div data-chart="<name>" role="img" aria-label=…>` and is registered in `window.__ztCharts[name]`,
 * which answers the option the chart was drawn with (`chart.getOption()`): tests compare the drawn data with
 * the API's figures, not merely that a canvas exists. Each chart has a table of the same figures beside it, for
 * keyboards and screen readers — and for when the chart's code cannot be loaded.
 */
import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from './messages.zh-CN';

export type ChartOption = EChartsCoreOption;

declare global {
  interface Window {
    __ztCharts?: Record<string, () => unknown>;
  }
}

const registry = (): Record<string, () => unknown> => (window.__ztCharts ??= {});

let loading: Promise<typeof import('./echarts-setup')> | undefined;
/**
 * Starts loading the chart library (once; a failed load is tried again next time). Pages with charts call it
 * as they render, so that the library loads while they wait for the API.
 */
export function preloadCharts(): Promise<typeof import('./echarts-setup')> {
  loading ??= import('./echarts-setup').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

function draw(instance: ECharts, option: ChartOption): void {
  // Tooltips drawn on the canvas (richText): no HTML injected, nothing the CSP would have to allow.
  instance.setOption({ aria: { enabled: true }, tooltip: { trigger: 'axis', renderMode: 'richText' }, animation: false, ...option }, true);
}

export function Chart({ name, label, option, height = 320 }: { name: string; label: string; option: ChartOption; height?: number }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts>();
  const latest = useRef(option);
  const [failed, setFailed] = useState(false);
  latest.current = option;
  useEffect(() => {
    const el = element.current!;
    let disposed = false;
    let resize: ResizeObserver | undefined;
    preloadCharts().then(
      ({ echarts }) => {
        if (disposed) return;
        const instance = echarts.init(el, undefined, { renderer: 'canvas', locale: 'ZH' });
        chart.current = instance;
        draw(instance, latest.current);
        registry()[name] = () => instance.getOption();
        resize = new ResizeObserver(() => instance.resize());
        resize.observe(el);
      },
      () => {
        if (!disposed) setFailed(true);
      },
    );
    return () => {
      disposed = true;
      resize?.disconnect();
      delete registry()[name];
      chart.current?.dispose();
      chart.current = undefined;
    };
  }, [name]);
  useEffect(() => {
    if (chart.current) draw(chart.current, option);
  }, [option]);
  return (
    <div ref={element} class="chart" data-chart={name} role="img" aria-label={label} style={{ height: `${height}px` }}>
      {failed ? <p class="muted">{t.chartUnavailable}</p> : null}
    </div>
  );
}
