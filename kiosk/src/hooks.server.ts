import { sequence } from '@sveltejs/kit/hooks';
import { checkConfigAtStart, logUnexpected, requestContext, sessionHandle } from '$platform/web/hooks.ts';

export const handle = sequence(requestContext, sessionHandle('kiosk'));
export const handleError = logUnexpected;
export const init = checkConfigAtStart;
