import { version } from '$app/environment';
import type { HandleClientError } from '@sveltejs/kit';
import { report, startCapture } from '$lib/reports/capture.ts';

startCapture(version);

// Errors SvelteKit catches itself (in loads and navigation) never reach window.onerror.
export const handleError: HandleClientError = ({ error, status, message }) => {
	if (status !== 404) void report('error', error instanceof Error ? `${error.name}: ${error.message}` : message, { stack: error instanceof Error ? error.stack : null });
	return { message: 'Something went wrong on this screen. Please ask a member of staff.', code: 'client_error' };
};
