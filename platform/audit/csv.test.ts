import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { csvCell, csvRow, csvStream } from './csv.ts';

test('cells are quoted; formula starters get a leading quote', () => {
	assert.is(csvCell('plain'), '"plain"');
	assert.is(csvCell('say "hi"'), '"say ""hi"""');
	for (const f of ['=1+1', '+81', '-2', '@SUM(A1)', '\t=x', '\r=x']) assert.is(csvCell(f)[1], "'", f);
	assert.is(csvCell(null), '""');
	assert.is(csvCell(new Date('2026-01-02T03:04:05Z')), '"2026-01-02T03:04:05.000Z"');
	assert.is(csvRow(['a', 1]), '"a","1"\r\n');
});

test('csvStream pulls pages until the cursor ends', async () => {
	const pages: Record<number, number[][]> = { 0: [[1], [2]], 1: [[3]] };
	const s = csvStream(['n'], 0, async (c: number) => ({ rows: pages[c]!, cursor: c === 0 ? 1 : null }));
	const bytes = new Uint8Array(await new Response(s).arrayBuffer());
	assert.equal([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
	assert.is(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.slice(3)), '"n"\r\n"1"\r\n"2"\r\n"3"\r\n');
});

test.run();
