import { tool } from '@langchain/core/tools';
import { all, create } from 'mathjs';
import { z } from 'zod';

const math = create(all);
const evaluate = math.evaluate.bind(math);
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

/** Evaluates an arithmetic expression; returns an error sentence instead of throwing. */
export function calculate(expression: string): string {
  try {
    const value: unknown = evaluate(expression);
    if (typeof value === 'number' || typeof value === 'bigint') {
      return math.format(value, { precision: 14 });
    }
    if (value && typeof value === 'object' && 'toString' in value) {
      return String(value);
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
