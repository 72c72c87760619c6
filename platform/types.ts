export const ROLES = ['kiosk', 'concierge', 'admin', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** Which app a session belongs to. A kiosk cookie never works on the console and vice versa. */
export type AppName = 'kiosk' | 'console';

/** Roles each app accepts at sign-in. */
export const APP_ROLES: Record<AppName, readonly Role[]> = {
	kiosk: ['kiosk'],
	console: ['concierge', 'admin', 'operator']
};

/**
 * The acting principal passed first to every platform function. Built only from a
 * validated session (or by trusted CLI/worker code), never from request input.
 */
export interface Actor {
	accountId: string;
	tenantId: string;
	role: Role;
	loginId: string;
	displayName: string;
	/** Request metadata for the audit log. */
	ip?: string | null;
}

/** The worker and CLI act as the system within one tenant. */
export function systemActor(tenantId: string): Actor {
	return {
		accountId: '00000000-0000-0000-0000-000000000000',
		tenantId,
		role: 'operator',
		loginId: 'system',
		displayName: 'System'
	};
}
