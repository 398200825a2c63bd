// The daemon process's own figures for /metrics, under the names Prometheus' client libraries use
// (process_*, nodejs_*) so that existing Grafana dashboards read them: memory, CPU, event-loop lag.
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProcessFigures {
  residentBytes: number;
  heapUsedBytes: number;
  cpuSeconds: number;
  startTimeSeconds: number;
  /** Event-loop delay since the last scrape, in seconds; null before the monitor has a sample. */
  eventLoopLagP99: number | null;
  eventLoopLagMax: number | null;
}

export class ProcessMonitor {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private readonly startTimeSeconds = Math.round(Date.now() / 1000 - process.uptime());

  constructor() {
    this.loop.enable();
  }

  /** The figures now; the event-loop histogram starts afresh, so each scrape sees its own interval. */
  read(): ProcessFigures {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    const sampled = this.loop.count > 0;
    const figures: ProcessFigures = {
      residentBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      startTimeSeconds: this.startTimeSeconds,
      eventLoopLagP99: sampled ? this.loop.percentile(99) / 1e9 : null,
      eventLoopLagMax: sampled ? this.loop.max / 1e9 : null,
    };
    this.loop.reset();
    return figures;
  }

  stop(): void {
    this.loop.disable();
  }
}
