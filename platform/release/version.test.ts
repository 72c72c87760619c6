import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanVersion, serverVersion, setServerVersion } from './version.ts';

const test = suite('release version ids');

test('version ids: letters, digits and ._+-, 1..64 characters; anything else is null', () => {
	for (const ok of ['1.2.3', '0.1.0+20261122T103401Z', 'r2-abc_DEF', 'x'.repeat(64)]) assert.is(cleanVersion(ok), ok);
	for (const bad of ['', 'x'.repeat(65), '1.0 beta', '<script>', '1.0\n2', 'v1;drop', 'ü1', '../etc', null, undefined, 12, ['1'], { v: '1' }])
		assert.is(cleanVersion(bad), null, JSON.stringify(bad));
});

test("the server's version: none until registered; an invalid one is refused", () => {
	assert.is(serverVersion(), null);
	assert.throws(() => setServerVersion('no spaces'), /invalid app version/);
	setServerVersion('2.0.0+b');
	assert.is(serverVersion(), '2.0.0+b');
});

test.run();
