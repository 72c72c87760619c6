import { sequence } from '@sveltejs/kit/hooks';
import { logUnexpected, requestContext, sessionHandle } from '$platform/web/hooks.ts';

export const handle = sequence(requestContext, sessionHandle('console'));
export const handleError = logUnexpected;
