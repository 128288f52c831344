// How long each layer takes, as the estimator simulated it (snapshot moves included): one bar
// per layer from the prepared job's index, so the slow layers of a file stand out.
import 'uplot/dist/uPlot.min.css';

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

import type { FileDetail } from '../../api/types';

type Index = NonNullable<FileDetail['job']>;

/** Layer numbers (1-based) and each layer's seconds: from its start to the next one's. */
export function layerSeconds(index: Index): [number[], number[]] {
  const numbers: number[] = [];
  const seconds: number[] = [];
  index.layers.forEach((layer, i) => {
    const next = index.layers[i + 1]?.elapsed_s ?? index.estimated_time_s;
    numbers.push(i + 1);
    seconds.push(Math.max(0, next - layer.elapsed_s));
  });
  return [numbers, seconds];
}

export function LayerTimeChart(props: { index: Index }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return undefined;
    const bars = uPlot.paths.bars;
    const chart = new uPlot(
      {
        width: element.clientWidth || 300,
        height: 200,
        scales: { x: { time: false } },
        series: [{ label: 'layer' }, { label: 'seconds', stroke: '#2f81f7', fill: '#2f81f766', points: { show: false }, ...(bars ? { paths: bars({ size: [0.9, 40] }) } : {}) }],
        axes: [{ stroke: 'currentColor', label: 'layer' }, { stroke: 'currentColor', label: 's' }],
        cursor: { drag: { x: false, y: false } },
      },
      layerSeconds(props.index),
      element,
    );
    const observer = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height: 200 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [props.index]);
  return <div class="chart" ref={host} role="img" aria-label="Time per layer" data-testid="layer-chart" />;
}
