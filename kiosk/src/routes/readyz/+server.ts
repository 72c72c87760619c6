import { readyzResponse } from '$platform/health.ts';
import type { RequestHandler } from './$types';

/** Readiness: PostgreSQL, the LISTEN connection and LiveKit answer (platform/health.ts); 503 otherwise. */
export const GET: RequestHandler = () => readyzResponse();
