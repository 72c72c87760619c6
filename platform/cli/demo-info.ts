// Prints the URLs and demo sign-ins after `npm start` (infra/start.sh).
import { DEMO_OPERATOR, DEMO_PASSWORD, DEMO_TENANTS, demoAccounts } from './demo-data.ts';

const kiosk = process.env.KIOSK_URL ?? 'http://127.0.0.1:5173';
const consoleUrl = process.env.CONSOLE_URL ?? 'http://127.0.0.1:5174';
const lines = [
	'',
	'Concierge is running.',
	`  Kiosk    ${kiosk}      the store terminal: sign in as a kiosk, press the big button`,
	`  Console  ${consoleUrl}      concierges answer here (set yourself Available); admins and the operator too`,
	'  Both can be open in one browser at once: each app keeps its own sign-in.',
	'',
	`Demo sign-ins (password for all: ${DEMO_PASSWORD})`
];
for (const t of DEMO_TENANTS) {
	lines.push(`  ${t.name}`);
	for (const a of demoAccounts(t.prefix)) lines.push(`    ${a.role.padEnd(10)} ${a.loginId.padEnd(22)} ${a.role === 'kiosk' ? 'kiosk' : 'console'}`);
}
lines.push(
	`  ${DEMO_OPERATOR.name}`,
	`    ${'operator'.padEnd(10)} ${DEMO_OPERATOR.loginId.padEnd(22)} console`,
	'',
	'Press Ctrl-C to stop the apps (services keep running: npm run services -- stop).',
	''
);
console.log(lines.join('\n'));
