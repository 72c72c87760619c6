/**
 * One odd stored report must not make its group unreadable (issue 8, item 5):
 * rows written straight into the database (as the owner, the way an old row or a
 * hand-made fix would be) with "__proto__", "constructor" and "prototype" keys
 * and odd shapes still render for the admin and the operator, both as a full
 * page and as the __data.json a client-side navigation loads.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { startApps, type Apps } from '../../platform/testing/apps.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { signIn } from '../../platform/accounts/sign-in.ts';
import { parseReport } from '../../platform/reports/report-input.ts';
import { processReport, submitReport } from '../../platform/reports/reports.ts';

const test = suite('report pages with odd stored rows');
let apps: Apps;

test.before(async () => {
	apps = await startApps();
});

const ODD_BODIES = [
	`{"device": {"__proto__": {"polluted": true}, "constructor": "x"}, "stats": {"a": {"prototype": [1, {"__proto__": null}]}}}`,
	`{"stats": {"__proto__": [], "constructor": {"prototype": {"__proto__": "deep"}}}, "logs": "not a list", "occurredAt": 12}`,
	`{"logs": [1, null, {"__proto__": 1}], "device": "not an object", "message": {"__proto__": "m"}}`,
	// Not an object at all: concatenating a JSON string onto an object makes an array.
	`"just text"`
];

async function cookieFor(role: 'admin' | 'operator', tenant: { id: string }): Promise<string> {
	const a = await makeAccount(tenant, { role });
	const s = await signIn('console', { loginId: a.loginId, password: a.password });
	return `console_session=${s.token}`;
}

test('a group holding rows with reserved keys and odd shapes renders for the admin and the operator', async () => {
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const marker = `Odd rows ${randomUUID().slice(0, 8)}`;
	const ids: string[] = [];
	for (let i = 0; i < ODD_BODIES.length + 1; i++) {
		const r = parseReport({
			id: randomUUID(),
			kind: 'error',
			message: marker,
			appVersion: '3.0.0',
			userAgent: 'Chrome',
			occurredAt: new Date().toISOString(),
			logs: [`line ${i}`]
		});
		await submitReport(k.actor, r);
		await processReport(t.id, r.id);
		ids.push(r.id);
	}
	for (const [i, odd] of ODD_BODIES.entries()) {
		await ownerDb()`update crash_reports set body = body || ${odd}::text::jsonb where tenant_id = ${t.id} and id = ${ids[i]!}`;
	}
	const [g] = await ownerDb()<{ id: string }[]>`select id from report_groups where tenant_id = ${t.id}`;
	const platform = await makeTenant({ isPlatform: true });
	for (const [cookie, path] of [
		[await cookieFor('admin', t), `/reports/${g!.id}`],
		[await cookieFor('operator', platform), `/operator/reports/${g!.id}`]
	] as const) {
		const page = await fetch(apps.console + path, { headers: { cookie } });
		const html = await page.text();
		assert.is(page.status, 200, `${path}: ${html.slice(0, 300)}`);
		assert.ok(html.includes(marker), 'the group title is shown');
		assert.ok(html.includes(`line ${ODD_BODIES.length}`), 'the ordinary report in the group is shown in full');
		assert.ok(html.includes('polluted'), 'the odd row is shown too, as text');
		const data = await fetch(apps.console + path + '/__data.json', { headers: { cookie } });
		const text = await data.text();
		assert.is(data.status, 200, `${path}/__data.json: ${text.slice(0, 300)}`);
		assert.not.match(text, '"type":"error"');
	}
	// The list pages load too.
	assert.is((await fetch(apps.console + '/reports', { headers: { cookie: await cookieFor('admin', t) } })).status, 200);
});

test.run();
