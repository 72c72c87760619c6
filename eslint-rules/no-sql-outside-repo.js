/**
 * ESLint rule: SQL lives only in `*.repo.ts` files (docs/architecture.md, STYLE.md 2.2).
 *
 * Reports, outside the files eslint.config.js allows:
 *   - a postgres.js tagged template: sql`…`, tx`…`, db()`…`, ownerSql`…` — any tag
 *     named `sql`/`tx`, or whose type is a postgres.js Sql / TransactionSql;
 *   - the string-taking escape hatches `x.unsafe(…)` and `x.file(…)` on such an object.
 * The type test is structural (callable, with `unsafe` and `json`), so it sees
 * every way a connection reaches code: a parameter, a pool getter, a transaction.
 * Needs typed linting (parserOptions.projectService); without types it falls
 * back to the tag names.
 */

/** @param {import('typescript').Type | undefined} type */
function isPostgresSql(type) {
	if (!type) return false;
	const types = type.isUnion() ? type.types : [type];
	return types.some((t) => t.getCallSignatures().length > 0 && !!t.getProperty('unsafe') && !!t.getProperty('json'));
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
	meta: {
		type: 'problem',
		docs: { description: 'SQL (postgres.js tagged templates, unsafe(), file()) only in *.repo.ts files' },
		schema: [],
		messages: {
			template: "SQL outside a repo file: move this query into the domain's *.repo.ts and call it from here.",
			unsafe: "SQL outside a repo file: `{{name}}()` on a postgres.js connection belongs in the domain's *.repo.ts."
		}
	},
	create(context) {
		const services = context.sourceCode.parserServices;
		const typed = !!services?.program && typeof services.getTypeAtLocation === 'function';
		/** @param {import('estree').Node} node */
		const typeOf = (node) => (typed ? services.getTypeAtLocation(node) : undefined);
		return {
			TaggedTemplateExpression(node) {
				const tag = node.tag;
				const named = tag.type === 'Identifier' && (tag.name === 'sql' || tag.name === 'tx');
				if (named || isPostgresSql(typeOf(tag))) context.report({ node, messageId: 'template' });
			},
			CallExpression(node) {
				const callee = node.callee;
				if (callee.type !== 'MemberExpression' || callee.computed || callee.property.type !== 'Identifier') return;
				const name = callee.property.name;
				if (name !== 'unsafe' && name !== 'file') return;
				if (isPostgresSql(typeOf(callee.object))) context.report({ node, messageId: 'unsafe', data: { name } });
			}
		};
	}
};
