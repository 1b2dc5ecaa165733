import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.js';

describe('MetricsRegistry', () => {
  it('renders counters, gauges and histograms in the Prometheus text format', () => {
    const registry = new MetricsRegistry();
    const frames = registry.counter('frames_total', 'Frames.');
    registry.gauge('open', 'Open things.', () => 3);
    const latency = registry.histogram('latency_seconds', 'Latency.', [0.1, 1]);
    frames.inc({ reason: 'bad "json"' });
    frames.inc({ reason: 'bad "json"' }, 2);
    latency.observe(0.05);
    latency.observe(0.5);
    latency.observe(5);
    expect(registry.render()).toBe(
      [
        '# HELP frames_total Frames.',
        '# TYPE frames_total counter',
        'frames_total{reason="bad \\"json\\""} 3',
        '# HELP open Open things.',
        '# TYPE open gauge',
        'open 3',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{le="0.1"} 1',
        'latency_seconds_bucket{le="1"} 2',
        'latency_seconds_bucket{le="+Inf"} 3',
        'latency_seconds_sum 5.55',
        'latency_seconds_count 3',
        '',
      ].join('\n'),
    );
    expect(frames.get({ reason: 'bad "json"' })).toBe(3);
  });

  it('shows an untouched counter as 0', () => {
    const registry = new MetricsRegistry();
    registry.counter('x_total', 'X.');
    expect(registry.render()).toContain('x_total 0');
  });
});
