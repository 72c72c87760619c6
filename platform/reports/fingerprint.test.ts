import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fingerprint, normaliseMessage, topFrames } from './fingerprint.ts';

const test = suite('fingerprint');

const stackA = `TypeError: Cannot read properties of undefined (reading 'sid')
    at Room.handleJoin (http://127.0.0.1:5173/_app/immutable/chunks/room.Bx7kq2Lm.js:12:3456)
    at async connect (http://127.0.0.1:5173/_app/immutable/chunks/call.AbCdEf12.js:4:99)
    at http://127.0.0.1:5173/_app/immutable/entry/app.js:1:2`;

test('numbers, ids and URLs are stripped from messages', () => {
	assert.is(normaliseMessage('Room 9f1c2d3e-1111-4222-8333-123456789abc closed after 1500 ms'), 'Room <id> closed after <n> ms');
	assert.is(normaliseMessage('fetch https://x.example/api/calls/123?t=9 failed'), normaliseMessage('fetch https://y.example/api/calls/456?t=1 failed'));
});

test('top frames keep function and file, drop line, column, host and content hash', () => {
	assert.equal(topFrames(stackA), ['Room.handleJoin /_app/immutable/chunks/room.js', 'connect /_app/immutable/chunks/call.js', '<anonymous> /_app/immutable/entry/app.js']);
	assert.equal(topFrames('f@http://a/x.js:1:2\n@http://a/y.js:3:4'), ['f /x.js', '<anonymous> /y.js']);
});

test('same fault, different details: same fingerprint; different fault: different', () => {
	const other = stackA
		.replace(/:12:3456/, ':13:1')
		.replace('127.0.0.1:5173', 'kiosk.example')
		.replace('Bx7kq2Lm', 'Zz9Yy8Xx');
	assert.is(fingerprint('error', 'x failed for call 42', stackA), fingerprint('error', 'x failed for call 97', other));
	assert.is.not(fingerprint('error', 'x failed', stackA), fingerprint('error', 'y failed', stackA));
	assert.is.not(fingerprint('error', 'x failed', stackA), fingerprint('media_error', 'x failed', stackA));
	assert.match(fingerprint('error', 'm', null), /^[0-9a-f]{64}$/);
});

test.run();
