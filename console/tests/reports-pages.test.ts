/** Console report pages in Chromium: admins see their tenant only; operators see all, audited. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { startApps, type Apps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { signIn } from '../../platform/accounts/sign-in.ts';
import { parseReport } from '../../platform/reports/report-input.ts';
import { processReport, submitReport } from '../../platform/reports/reports.ts';
import type { Actor } from '../../platform/types.ts';

const test = suite('console report pages');
let apps: Apps;

test.before(async () => {
	apps = await startApps();
});

async function sendProcessed(actor: Actor, message: string): Promise<void> {
	const r = parseReport({
		id: randomUUID(),
		kind: 'media_error',
		message,
		stack: 'Error\n    at getUserMedia (http://k/_app/a.js:1:1)',
		appVersion: '2.0.0',
		userAgent: 'Chrome',
		occurredAt: new Date().toISOString(),
		logs: ['[warn] camera busy']
	});
	await submitReport(actor, r);
	await processReport(actor.tenantId, r.id);
}

async function consolePage(role: 'admin' | 'operator', tenant: { id: string }) {
	const a = await makeAccount(tenant, { role });
	const s = await signIn('console', { loginId: a.loginId, password: a.password });
	const context = await (await launchBrowser()).newContext();
	await context.addCookies([{ name: 'console_session', value: s.token, url: apps.console, httpOnly: true, sameSite: 'Lax' }]);
	return { context, page: await context.newPage(), account: a };
}

test("an admin sees their own tenant's problem groups and samples, and not another tenant's", async () => {
	const a = await makeTenant();
	const b = await makeTenant();
	const ka = await makeAccount(a, { role: 'kiosk' });
	const kb = await makeAccount(b, { role: 'kiosk' });
	const titleA = `Camera failed A ${randomUUID().slice(0, 8)}`;
	const titleB = `Camera failed B ${randomUUID().slice(0, 8)}`;
	await sendProcessed(ka.actor, titleA);
	await sendProcessed(kb.actor, titleB);
	const [gB] = await ownerDb()<{ id: string }[]>`select id from report_groups where tenant_id = ${b.id}`;
	const { context, page } = await consolePage('admin', a);
	try {
		await page.goto(apps.console + '/');
		await page.getByRole('link', { name: 'Problem reports' }).click();
		await page.getByRole('heading', { name: 'Problem reports' }).waitFor();
		assert.ok(await page.getByText(titleA).isVisible());
		assert.is(await page.getByText(titleB).count(), 0);
		await screenshot(page, 'console-reports-admin');
		await page.getByRole('link', { name: titleA }).click();
		await page.getByText('[warn] camera busy').waitFor();
		assert.ok(await page.getByText('getUserMedia').first().isVisible());
		const res = await page.goto(`${apps.console}/reports/${gB!.id}`);
		assert.is(res?.status(), 404);
	} finally {
		await context.close();
	}
});

test("an operator sees every tenant's groups, and each view is audited", async () => {
	const platform = await makeTenant({ isPlatform: true });
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const title = `Mic failed ${randomUUID().slice(0, 8)}`;
	await sendProcessed(k.actor, title);
	const { context, page, account } = await consolePage('operator', platform);
	try {
		await page.goto(apps.console + '/operator/reports');
		await page.getByRole('link', { name: title }).click();
		await page.getByText('[warn] camera busy').waitFor();
		await screenshot(page, 'console-reports-operator-group');
		const audit = await ownerDb()<
			{ targetId: string }[]
		>`select target_id as "targetId" from audit_log where actor_account_id = ${account.id} and action = 'operator.read' order by id`;
		assert.equal(
			audit.map((r) => r.targetId),
			['report_groups', 'report_group']
		);
	} finally {
		await context.close();
	}
});

test('a concierge cannot open the report pages', async () => {
	const t = await makeTenant();
	const { context, page } = await consolePage('admin', t);
	await context.close();
	const c = await makeAccount(t, { role: 'concierge' });
	const s = await signIn('console', { loginId: c.loginId, password: c.password });
	for (const path of ['/reports', '/operator/reports']) {
		const res = await fetch(apps.console + path, { headers: { cookie: `console_session=${s.token}` }, redirect: 'manual' });
		assert.is(res.status, 403, path);
	}
	void page;
});

test.run();
