/**
 * CSV for exports (audit log, call history), safe to open in a spreadsheet: every
 * cell quoted, and a cell that starts with = + - @ (or a tab or carriage return,
 * which some spreadsheets skip before reading a formula) gets a leading ' so it is
 * never run as a formula (OWASP "CSV injection").
 */
export function csvCell(v: string | number | boolean | Date | null | undefined): string {
	let s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
	if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
	return '"' + s.replace(/"/g, '""') + '"';
}

export type CsvValue = string | number | boolean | Date | null | undefined;

export function csvRow(cells: readonly CsvValue[]): string {
	return cells.map(csvCell).join(',') + '\r\n';
}

/**
 * A streamed CSV body: the header, then the rows of each page fetched on demand
 * (`next(cursor)` gives a page and the cursor of the next, or null at the end; the
 * first cursor may itself be null, meaning "from the start"), so
 * a large export never sits whole in memory.
 */
export function csvStream<C>(header: readonly string[], first: C, next: (cursor: C) => Promise<{ rows: CsvValue[][]; cursor: C | null }>): ReadableStream<Uint8Array> {
	const enc = new TextEncoder();
	let cursor: C = first;
	let done = false;
	let started = false;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			if (!started) {
				started = true;
				// A byte-order mark so spreadsheet programs read UTF-8 (Japanese names).
				controller.enqueue(enc.encode('\ufeff' + csvRow(header)));
				return;
			}
			if (done) return controller.close();
			const page = await next(cursor);
			if (page.cursor === null) done = true;
			else cursor = page.cursor;
			if (page.rows.length) controller.enqueue(enc.encode(page.rows.map(csvRow).join('')));
			if (done) controller.close();
		}
	});
}
