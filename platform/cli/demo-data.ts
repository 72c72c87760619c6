/** The demo tenants and sign-ins that `npm start` creates and prints. */
export const DEMO_PASSWORD = 'Demo-pass-2026';

export const DEMO_TENANTS = [
	{ slug: 'demo-ginza', name: 'Ginza Flagship Store 銀座本店', prefix: 'ginza' },
	{ slug: 'demo-osaka', name: 'Osaka Umeda Store 大阪梅田店', prefix: 'osaka' }
] as const;

export const DEMO_OPERATOR = { slug: 'platform', name: 'Concierge Platform', loginId: 'operator' } as const;

export function demoAccounts(prefix: string) {
	return [
		{ loginId: `${prefix}-kiosk-1`, displayName: 'Entrance kiosk', role: 'kiosk' },
		{ loginId: `${prefix}-kiosk-2`, displayName: 'Counter kiosk', role: 'kiosk' },
		{ loginId: `${prefix}-concierge-1`, displayName: 'Concierge Sato', role: 'concierge' },
		{ loginId: `${prefix}-concierge-2`, displayName: 'Concierge Tanaka', role: 'concierge' },
		{ loginId: `${prefix}-admin`, displayName: 'Store admin', role: 'admin' }
	] as const;
}
