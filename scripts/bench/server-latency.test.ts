import { expect } from 'chai';
import { latencyFromMetrics, LoopLagMemory, loopLagOf } from './server-latency.js';

const page = `# TYPE rushline_http_request_duration_seconds histogram
rushline_http_request_duration_seconds_bucket{le="0.01",method="POST",route="/api/enrollments",status="202",app="api"} 50
rushline_http_request_duration_seconds_bucket{le="0.1",method="POST",route="/api/enrollments",status="202",app="api"} 90
rushline_http_request_duration_seconds_bucket{le="1",method="POST",route="/api/enrollments",status="202",app="api"} 98
rushline_http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/api/enrollments",status="202",app="api"} 98
rushline_http_request_duration_seconds_bucket{le="0.01",method="POST",route="/api/enrollments",status="409",app="api"} 0
rushline_http_request_duration_seconds_bucket{le="0.1",method="POST",route="/api/enrollments",status="409",app="api"} 0
rushline_http_request_duration_seconds_bucket{le="1",method="POST",route="/api/enrollments",status="409",app="api"} 0
rushline_http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/api/enrollments",status="409",app="api"} 2
rushline_http_request_duration_seconds_bucket{le="0.01",method="GET",route="/api/enrollments",status="200",app="api"} 1000
rushline_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/enrollments",status="200",app="api"} 1000
`;

describe('latencyFromMetrics (the rush bench reads the api’s own answer time)', () => {
  it('sums the statuses of one method and route, and gives the bucket each quantile falls in', () => {
    expect(latencyFromMetrics(page, 'POST', '/api/enrollments')).to.deep.equal({
      requests: 100,
      p50_ms_at_most: 10,
      p99_ms_at_most: null,
    });
  });
  it('says null for a route it never answered', () => {
    expect(latencyFromMetrics(page, 'POST', '/api/reservations')).to.equal(null);
  });
});

const loopPage = (p99: number, max: number) => `# TYPE nodejs_eventloop_lag_p99_seconds gauge
nodejs_eventloop_lag_p99_seconds{app="api"} ${p99}
# TYPE nodejs_eventloop_lag_max_seconds gauge
nodejs_eventloop_lag_max_seconds{app="api"} ${max}
`;

describe('the event-loop delay over a run (prom-client resets it at every scrape)', () => {
  it('reads p99 and max of one page in ms', () => {
    expect(loopLagOf(loopPage(0.2904, 0.3041))).to.deep.equal({ p99Ms: 290, maxMs: 304 });
  });

  it('keeps the worst of every scrape per process: a quiet last interval does not hide a busy one', () => {
    const memory = new LoopLagMemory();
    memory.note('http://a', loopPage(0.05, 0.4));
    memory.note('http://a', loopPage(0.25, 0.3));
    memory.note('http://a', loopPage(0.015, 0.015));
    memory.note('http://b', loopPage(0.01, 0.02));
    expect(memory.of('http://a')).to.deep.equal({ p99Ms: 250, maxMs: 400 });
    expect(memory.of('http://b')).to.deep.equal({ p99Ms: 10, maxMs: 20 });
    expect(memory.of('http://c')).to.equal(undefined);
  });
});
