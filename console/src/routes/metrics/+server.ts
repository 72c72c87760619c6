import { metricsResponse } from '$platform/health.ts';
import type { RequestHandler } from './$types';

/** Prometheus metrics, only with the METRICS_TOKEN bearer token (platform/health.ts). */
export const GET: RequestHandler = ({ request }) => metricsResponse(request.headers.get('authorization'), 'console');
