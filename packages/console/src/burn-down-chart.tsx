import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { ZoneHistory } from "./wire";

const bars = uPlot.paths.bars?.({ size: [0.3, 24] });

/** Open signatures per day as a line, new and resolved per day as bars (uPlot). */
export function BurnDownChart({ days }: { days: ZoneHistory["days"] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (element === null) return undefined;
    const data: uPlot.AlignedData = [
      days.map((day) => Date.parse(`${day.date}T00:00:00Z`) / 1000),
      days.map((day) => day.open),
      days.map((day) => day.new),
      days.map((day) => day.resolved),
    ];
    const chart = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height: 260,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
        scales: { x: { time: true } },
        axes: [{}, { label: "signatures" }],
        series: [
          {},
          { label: "Open", stroke: "#1d4ed8", width: 2 },
          { label: "New", stroke: "#b91c1c", fill: "rgba(185, 28, 28, 0.35)", paths: bars },
          { label: "Resolved", stroke: "#15803d", fill: "rgba(21, 128, 61, 0.35)", paths: bars },
        ],
      },
      data,
      element,
    );
    return () => { chart.destroy(); };
  }, [days]);
  return <div ref={box} class="chart" />;
}
