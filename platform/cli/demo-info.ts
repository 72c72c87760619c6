// Prints the URLs and demo sign-ins after `npm start` (infra/start.sh).
import { DEMO_OPERATOR, DEMO_PASSWORD, DEMO_TENANTS, demoAccounts } from './demo-data.ts';

const kiosk = process.env.KIOSK_URL ?? 'http://127.0.0.1:5173';
const consoleUrl = process.env.CONSOLE_URL ?? 'http://127.0.0.1:5174';
const lines = [
	'',
	'Concierge is running.',
	`  Kiosk    ${kiosk}      (open it in a second browser profile or a private window:`,
	`  Console  ${consoleUrl}       the two apps keep separate sign-ins)`,
	'',
	`Demo sign-ins (password for all: ${DEMO_PASSWORD})`
];
for (const t of DEMO_TENANTS) {
	lines.push(`  ${t.name}`);
	for (const a of demoAccounts(t.prefix)) lines.push(`    ${a.role.padEnd(10)} ${a.loginId.padEnd(22)} ${a.role === 'kiosk' ? 'kiosk' : 'console'}`);
}
lines.push(`  ${DEMO_OPERATOR.name}`, `    ${'operator'.padEnd(10)} ${DEMO_OPERATOR.loginId.padEnd(22)} console`, '', 'Press Ctrl-C to stop the apps (services keep running: npm run services -- stop).', '');
console.log(lines.join('\n'));
