/**
 * Kiosk enrolment by one-time code through the built apps (issue 11, item 3): the
 * admin issues a code on the console's admin page, the kiosk's sign-in screen takes
 * the login ID and the code and lands on standby; the code does not work twice, and
 * the code form's bad input gets a 4xx.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { appLogs, startApps } from '../../platform/testing/apps.ts';
import { launchBrowser, screenshot } from '../../platform/testing/browser.ts';
import { makeAccount, makeTenant } from '../../platform/testing/factories.ts';
import { ownerDb } from '../../platform/testing/db.ts';
import { get, signInHttp } from '../../platform/testing/http.ts';

const test = suite('kiosk enrolment by code (built apps)');

const codeForm = (origin: string, body: Record<string, string>) =>
	fetch(origin + '/login', {
		method: 'POST',
		redirect: 'manual',
		headers: { origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams(body)
	});

test('admin issues a code in the console; the kiosk enrols with it once (screenshots at 1366x768 and 1920x1080)', async () => {
	const { kiosk, console: con } = await startApps();
	const t = await makeTenant({ name: 'Enrol Test Store' });
	const admin = await makeAccount(t, { role: 'admin' });
	const k = await makeAccount(t, { role: 'kiosk', displayName: 'New tablet' });
	const browser = await launchBrowser();
	const actx = await browser.newContext({ viewport: { width: 1366, height: 768 } });
	const ap = await actx.newPage();
	await ap.goto(con + '/login', { waitUntil: 'networkidle' });
	await ap.fill('input[name=loginId]', admin.loginId);
	await ap.fill('input[name=password]', admin.password);
	await ap.click('button[type=submit]');
	await ap.waitForURL(con + '/admin');
	await ap.locator(`tr[data-login-id="${k.loginId}"] form[action="?/issueCode"] button`).click();
	const shown = ap.locator('[data-testid=enrolment-code] .code');
	await shown.waitFor();
	const code = (await shown.innerText()).replace(/\s/g, '');
	assert.match(code, /^\d{6}$/);
	await screenshot(ap, 'console-admin-enrolment-code');

	for (const [w, h] of [
		[1366, 768],
		[1920, 1080]
	] as const) {
		const kctx = await browser.newContext({ viewport: { width: w, height: h } });
		const kp = await kctx.newPage();
		await kp.goto(kiosk + '/login', { waitUntil: 'networkidle' });
		await kp.getByRole('button', { name: /Enrolment code/ }).click();
		await kp.fill('input[name=loginId]', k.loginId);
		await kp.fill('input[name=code]', code);
		await screenshot(kp, `kiosk-enrol-code-${w}x${h}`);
		await kp.click('button.submit');
		if (w === 1366) {
			await kp.waitForURL(kiosk + '/');
			await screenshot(kp, 'kiosk-enrolled-standby');
		} else {
			// The second terminal tries the same code: it was used.
			await kp.locator('.error').waitFor();
			assert.match(await kp.locator('.error').innerText(), /not right, or the code has expired or was already used/);
			assert.ok(kp.url().startsWith(kiosk + '/login'));
			await screenshot(kp, 'kiosk-enrol-code-used');
		}
		await kctx.close();
	}
	await actx.close();
});

test('the code form: bad input is a 4xx with a message; a concierge and another tenant cannot issue codes', async () => {
	const { kiosk, console: con } = await startApps();
	const t = await makeTenant();
	const k = await makeAccount(t, { role: 'kiosk' });
	const other = await makeTenant();
	const otherAdmin = await makeAccount(other, { role: 'admin' });
	const concierge = await makeAccount(t, { role: 'concierge' });
	for (const [body, status, text] of [
		[{ loginId: k.loginId, code: '' }, 400, /Enter the 6-digit code/],
		[{ loginId: k.loginId, code: '12' }, 400, /The code is 6 digits/],
		[{ code: '123456', loginId: '' }, 400, /Enter the login ID/],
		[{ loginId: k.loginId, code: '123456' }, 401, /not right/]
	] as const) {
		const r = await codeForm(kiosk, body);
		assert.is(r.status, status, JSON.stringify(body));
		assert.match(await r.text(), text);
	}
	const issue = (s: Awaited<ReturnType<typeof signInHttp>>) =>
		get(s, '/admin?/issueCode', {
			method: 'POST',
			headers: { origin: s.origin, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ accountId: k.id })
		});
	const cs = await signInHttp(con, concierge.loginId, concierge.password);
	assert.is((await issue(cs)).status, 403, 'concierge');
	const os = await signInHttp(con, otherAdmin.loginId, otherAdmin.password);
	const r = await issue(os);
	assert.is(r.status, 404, 'another tenant');
	assert.match(await r.text(), /not in your organisation/);
	const rows = await ownerDb()`select 1 from enrolment_codes where account_id = ${k.id}`;
	assert.is(rows.length, 0, 'no code was issued');
});

test.after.each(() => {
	if (process.env.SHOW_APP_LOGS) console.log(appLogs.kiosk.slice(-20).join('\n'));
});

test.run();
