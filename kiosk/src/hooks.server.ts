import { sequence } from '@sveltejs/kit/hooks';
import { checkConfigAtStart, logUnexpected, requestContext, sessionHandle } from '$platform/web/hooks.ts';
import { securityHeaders } from '$platform/web/security-headers.ts';
import { registerLeanHandler } from '$platform/web/lean.ts';
import { setServerVersion } from '$platform/release/version.ts';
import { version } from '$app/environment';

// The built app's server (platform/web/server.js) answers a few hot paths with this app's lean handler.
registerLeanHandler('kiosk');
// This build's version, announced on every event stream's connect (platform/release/).
setServerVersion(version);

export const handle = sequence(securityHeaders('kiosk'), requestContext, sessionHandle('kiosk'));
export const handleError = logUnexpected;
export const init = checkConfigAtStart;
