import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isHttpError } from '@sveltejs/kit';
import { readJsonObject } from './http.ts';

const test = suite('readJsonObject');

async function status(type: string | null, body = '{"a":1}'): Promise<number> {
	const headers = new Headers();
	if (type !== null) headers.set('content-type', type);
	try {
		await readJsonObject(new Request('http://x/api', { method: 'POST', body, headers }));
		return 200;
	} catch (e) {
		if (isHttpError(e)) return e.status;
		throw e;
	}
}

test('application/json, with or without parameters and in any case, is read', async () => {
	for (const t of ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8', 'application/json ; charset=utf-8'])
		assert.is(await status(t), 200, t);
});

test('other types, including application/json look-alikes, get 415', async () => {
	for (const t of [
		'application/json-seq',
		'application/jsonx',
		'application/json+x',
		'application/json-patch+json',
		'application/jsonp',
		'application/json.x',
		'text/plain',
		'text/json',
		'application/x-www-form-urlencoded',
		'multipart/form-data; boundary=x',
		'',
		'application/ json',
		'xapplication/json'
	])
		assert.is(await status(t), 415, t);
	assert.is(await status(null), 415, 'no content type');
});

test('malformed or non-object JSON is a 400', async () => {
	for (const b of ['{', '[1]', '"s"', 'null', '']) assert.is(await status('application/json', b), 400, b);
});

test.run();
