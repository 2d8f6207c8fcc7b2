import { expect } from 'chai';
import { latencyFromMetrics } from './server-latency.js';

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
