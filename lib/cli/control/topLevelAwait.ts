/**
 * A shell line with top-level `await` and several statements, made one
 * async function as Node's own REPL does (it parses with acorn too): its
 * declarations become globals of the shell's context, so they live on to
 * the next line, and its last expression is its value.
 *
 * The line is prepared here, in the `rxpulsar shell` process, and travels
 * to the arbiter (or the actor it entered) as plain code: nothing to load
 * there. A line without `await`, or one acorn cannot parse (an incomplete
 * line the REPL will continue, a syntax error V8 will report), is left as
 * it is.
 * @module
 */
import { parse, type Node, type Pattern, type Statement } from 'acorn';

/**
 * @param source - a line (or lines) typed in the shell.
 * @returns the line as one async function run at once, or undefined when it needs no change.
 * @example
 * ```ts
 * withTopLevelAwait('const z = await f(); z + 1');
 * // '(async () => {z = await f();\nreturn (z + 1);\n})()'
 * ```
 */
export function withTopLevelAwait(source: string): string | undefined {
  if (!/\bawait\b/.test(source)) return undefined;
  let body: Statement[];
  try {
    body = parse(source, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
    }).body as Statement[];
  } catch {
    return undefined;
  }
  const text = (node: Node): string => source.slice(node.start, node.end);
  const out = body.map((statement, i) => {
    const last = i === body.length - 1;
    switch (statement.type) {
      case 'VariableDeclaration':
        return statement.declarations.map((d) => assign(d.id, d.init, text)).join('\n');
      case 'FunctionDeclaration':
      case 'ClassDeclaration':
        return statement.id === null
          ? text(statement)
          : `${statement.id.name} = ${text(statement)};`;
      case 'ExpressionStatement':
        return last ? `return (${text(statement.expression)});` : text(statement);
      default:
        return text(statement);
    }
  });
  return `(async () => {${out.join('\n')}\n})()`;
}

/**
 * A declarator as an assignment to globals: `x = 1;`, `[a, b] = f();`,
 * `({ a } = o);` (an object pattern in parentheses, or it would be a block).
 */
function assign(id: Pattern, init: Node | null | undefined, text: (node: Node) => string): string {
  const assignment = `${text(id)} = ${init ? text(init) : 'undefined'}`;
  return id.type === 'ObjectPattern' ? `(${assignment});` : `${assignment};`;
}
