import { sequence } from '@sveltejs/kit/hooks';
import { logUnexpected, requestContext, sessionHandle } from '$platform/web/hooks.ts';
import { securityHeaders } from '$platform/web/security-headers.ts';

export const handle = sequence(securityHeaders('kiosk'), requestContext, sessionHandle('kiosk'));
export const handleError = logUnexpected;
