import { tool } from '@langchain/core/tools';
import { all, create } from 'mathjs';
import { z } from 'zod';

const math = create(all);
const evaluate = math.evaluate.bind(math);
const parse = math.parse.bind(math);
// mathjs' own hardening recipe: expressions must not reach functions that change the
// instance or parse further code.
const disabled = () => {
  throw new Error('function not available in the calculator');
};
math.import(
  {
    import: disabled,
    createUnit: disabled,
    evaluate: disabled,
    parse: disabled,
    simplify: disabled,
    derivative: disabled,
    compile: disabled,
    resolve: disabled,
    reviver: disabled,
  },
  { override: true },
);

export const CALCULATOR_TOOL_NAME = 'calculator';

/**
 * mathjs evaluates synchronously, so no timeout can stop it: a short expression such as
 * `zeros(2000, 2000)`, `1:1e8` or `combinations(1e9, 5e8)` would block the event loop (every
 * request) for seconds. Only the nodes of arithmetic and scalar functions that never build a
 * collection or loop over an argument's value are let through.
 */
const ARITHMETIC_NODES = new Set(['ConstantNode', 'OperatorNode', 'ParenthesisNode', 'SymbolNode', 'FunctionNode', 'ConditionalNode']);
const SCALAR_FUNCTIONS = new Set(
  (
    'abs acos acosh acot acoth acsc acsch asec asech asin asinh atan atan2 atanh cbrt ceil cos cosh cot coth csc csch cube exp expm1 ' +
    'factorial fix floor gamma gcd hypot lcm log log10 log1p log2 max mean median min mod nthRoot pow prod round sec sech sign sin ' +
    'sinh sqrt square std sum tan tanh to unit number variance'
  ).split(' '),
);
const MAX_RESULT_CHARS = 1000;

function refusal(expression: string): string | undefined {
  let reason: string | undefined;
  parse(expression).traverse((node) => {
    if (reason) return;
    if (!ARITHMETIC_NODES.has(node.type)) reason = `${node.type.replace(/Node$/, '').toLowerCase()} expressions are not supported`;
    else if (math.isFunctionNode(node) && !(math.isSymbolNode(node.fn) && SCALAR_FUNCTIONS.has(node.fn.name))) {
      reason = `${math.isSymbolNode(node.fn) ? node.fn.name : 'this function'} is not available in the calculator`;
    }
  });
  return reason;
}

/** Evaluates an arithmetic expression; returns an error sentence instead of throwing. */
export function calculate(expression: string): string {
  try {
    const refused = refusal(expression);
    if (refused) return `Error: cannot evaluate "${expression}": ${refused}`;
    const value: unknown = evaluate(expression);
    if (typeof value === 'number' || typeof value === 'bigint') {
      return math.format(value, { precision: 14 });
    }
    if (value && typeof value === 'object' && 'toString' in value && !math.isCollection(value) && typeof value !== 'function') {
      const text = String(value);
      return text.length <= MAX_RESULT_CHARS ? text : `Error: the result of "${expression}" is too long`;
    }
    return `Error: "${expression}" is not an arithmetic expression`;
  } catch (err) {
    return `Error: cannot evaluate "${expression}": ${(err as Error).message}`;
  }
}

export const calculatorTool = tool(async ({ expression }) => calculate(expression), {
  name: CALCULATOR_TOOL_NAME,
  description:
    'Evaluates an arithmetic expression such as "(3 + 4) * 12 / 7", "2^10" or "sqrt(2)" and returns the result.',
  schema: z.object({
    expression: z.string().min(1).max(500).describe('The expression to evaluate'),
  }),
});
