// The temperature graph: each heater's actual reading solid and its target dashed, over the
// last ten minutes. uPlot draws on a canvas; the chart is made once and fed new columns.
import 'uplot/dist/uPlot.min.css';

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

import { temperatureColumns, type TemperatureColumns } from '../../stores/printer';

const palette = ['#e5534b', '#2f81f7', '#3fb950', '#d29922', '#a371f7'];

function seriesOf(columns: TemperatureColumns): uPlot.Series[] {
  const series: uPlot.Series[] = [{}];
  Object.keys(columns.heaters).forEach((name, i) => {
    const stroke = palette[i % palette.length] ?? '#888';
    series.push({ label: name, stroke, width: 2, points: { show: false } });
    series.push({ label: `${name} target`, stroke, width: 1, dash: [6, 4], points: { show: false } });
  });
  return series;
}

function dataOf(columns: TemperatureColumns): uPlot.AlignedData {
  const data: Array<Array<number | null>> = [columns.time_s];
  for (const heater of Object.values(columns.heaters)) {
    data.push(heater.actual.map((v) => (Number.isNaN(v) ? null : v)));
    data.push(heater.target);
  }
  return data as uPlot.AlignedData;
}

export function TemperatureChart() {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const heaterKey = useRef('');
  const columns = temperatureColumns.value;

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const key = Object.keys(columns.heaters).join(',');
    if (!chart.current || key !== heaterKey.current) {
      chart.current?.destroy();
      heaterKey.current = key;
      chart.current = new uPlot(
        {
          width: element.clientWidth || 300,
          height: 220,
          series: seriesOf(columns),
          axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor', label: '°C' }],
          legend: { show: true },
          cursor: { drag: { x: false, y: false } },
        },
        dataOf(columns),
        element,
      );
    } else {
      chart.current.setData(dataOf(columns));
    }
  }, [columns]);

  useEffect(() => {
    const element = host.current;
    if (!element) return undefined;
    const observer = new ResizeObserver(() => chart.current?.setSize({ width: element.clientWidth, height: 220 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  return <div class="chart" ref={host} data-testid="temperature-chart" />;
}
