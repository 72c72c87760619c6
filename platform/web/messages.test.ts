/**
 * The apps' message files (Paraglide JS, inlang message format): every shipped
 * language has every key of the base language, with the same {parameters}, no
 * empty text, and every key the code uses exists. A missing translation fails here.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Project {
	app: string;
	baseLocale: string;
	locales: string[];
	messages: Record<string, Record<string, string>>;
}

function load(app: string): Project {
	const settings = JSON.parse(readFileSync(join(root, app, 'project.inlang/settings.json'), 'utf8')) as {
		baseLocale: string;
		locales: string[];
		'plugin.inlang.messageFormat': { pathPattern: string };
	};
	const messages: Project['messages'] = {};
	for (const locale of settings.locales) {
		const file = join(root, app, settings['plugin.inlang.messageFormat'].pathPattern.replace('{locale}', locale));
		const { $schema: _schema, ...rest } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
		messages[locale] = rest;
	}
	return { app, baseLocale: settings.baseLocale, locales: settings.locales, messages };
}

const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Every `say('key'` / `tr('key'` / `m.key(` in an app's source. */
function usedKeys(dir: string): Set<string> {
	const keys = new Set<string>();
	const walk = (d: string) => {
		for (const name of readdirSync(d)) {
			const p = join(d, name);
			if (name === 'paraglide' || name === 'node_modules') continue;
			if (statSync(p).isDirectory()) walk(p);
			else if (/\.(svelte|ts)$/.test(name)) {
				const src = readFileSync(p, 'utf8');
				for (const m of src.matchAll(/\b(?:say|tr|t)\(\s*'(\w+)'/g)) keys.add(m[1]!);
				for (const m of src.matchAll(/say\(call\.\w+ \? '(\w+)' : '(\w+)'/g)) keys.add(m[1]!).add(m[2]!);
			}
		}
	};
	walk(dir);
	return keys;
}

for (const app of ['kiosk', 'console']) {
	test(`${app}: every shipped language has every message, with the same parameters`, () => {
		const p = load(app);
		const base = p.messages[p.baseLocale]!;
		assert.ok(Object.keys(base).length > 10, 'the base language has messages');
		for (const locale of p.locales) {
			const msgs = p.messages[locale]!;
			const missing = Object.keys(base).filter((k) => !msgs[k]?.trim());
			const extra = Object.keys(msgs).filter((k) => !(k in base));
			assert.equal(missing, [], `${app}/${locale}: missing messages`);
			assert.equal(extra, [], `${app}/${locale}: messages the base language does not have`);
			for (const k of Object.keys(base)) assert.equal(params(msgs[k]!), params(base[k]!), `${app}/${locale}/${k}: same parameters`);
		}
	});

	test(`${app}: every message key the code uses exists`, () => {
		const p = load(app);
		const used = [...usedKeys(join(root, app, 'src'))];
		assert.ok(used.length > 10, 'keys found in the source');
		assert.equal(
			used.filter((k) => !(k in p.messages[p.baseLocale]!)),
			[],
			'keys used but not defined'
		);
	});
}

test('the kiosk ships ja, en, zh-Hans and ko; the console en and ja', () => {
	assert.equal(load('kiosk').locales.sort(), ['en', 'ja', 'ko', 'zh-Hans']);
	assert.equal(load('console').locales.sort(), ['en', 'ja']);
});

test.run();
