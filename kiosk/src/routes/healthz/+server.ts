import { healthzResponse } from '$platform/health.ts';
import type { RequestHandler } from './$types';

/** Liveness: the process answers (platform/health.ts). */
export const GET: RequestHandler = () => healthzResponse();
