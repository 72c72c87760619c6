import { sequence } from '@sveltejs/kit/hooks';
import { logUnexpected, passwordExpiryGuard, requestContext, sessionHandle } from '$platform/web/hooks.ts';
import { securityHeaders } from '$platform/web/security-headers.ts';

export const handle = sequence(securityHeaders('console'), requestContext, sessionHandle('console'), passwordExpiryGuard('/account/password'));
export const handleError = logUnexpected;
