import type { Role } from '$platform/types.ts';

/** Where each role lands after signing in to the console. */
export function landingFor(role: Role): string {
	switch (role) {
		case 'admin':
			return '/admin';
		case 'operator':
			return '/operator';
		case 'concierge':
		case 'kiosk':
			return '/';
	}
}
