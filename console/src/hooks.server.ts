import { sequence } from '@sveltejs/kit/hooks';
import { checkConfigAtStart, logUnexpected, passwordExpiryGuard, requestContext, sessionHandle } from '$platform/web/hooks.ts';

export const handle = sequence(requestContext, sessionHandle('console'), passwordExpiryGuard('/account/password'));
export const handleError = logUnexpected;
export const init = checkConfigAtStart;
