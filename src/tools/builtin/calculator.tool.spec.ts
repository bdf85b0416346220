import { calculate, calculatorTool } from './calculator.tool';

describe('calculator tool', () => {
  it.each([
    ['(3 + 4) * 12 / 7', '12'],
    ['2^10', '1024'],
    ['0.1 + 0.2', '0.3'],
    ['sqrt(2)', '1.4142135623731'],
  ])('%s = %s', (expression, result) => {
    expect(calculate(expression)).toBe(result);
  });

  it.each(['import({}, {})', 'evaluate("1+1")', 'parse("1")', 'createUnit("x")', 'process.exit()'])(
    'refuses %s without running it',
    (expression) => {
      expect(calculate(expression)).toMatch(/^Error: /);
    },
  );

  it.each([
    ['5 km to mi', '3.1068559611866697 mi'],
    ['max(3, 7) - min(2, 9)', '5'],
    ['sqrt(-4)', '2i'],
    ['10 > 3 ? 1 : 0', '1'],
  ])('keeps units, scalar functions, complex numbers and conditionals: %s = %s', (expression, result) => {
    expect(calculate(expression)).toBe(result);
  });

  it.each(['zeros(2000, 2000)', '1:1e8', 'range(1, 3e7)', 'combinations(1e9, 5e8)', 'x = 5', 'f(x) = x^2', '[1, 2, 3]', 'ones(3)[1]', 'zeros'])(
    'refuses %s at once (it would block the event loop, or is not arithmetic)',
    (expression) => {
      const started = Date.now();
      expect(calculate(expression)).toMatch(/^Error: /);
      expect(Date.now() - started).toBeLessThan(200);
    },
  );

  it('reports a bad expression as a result the model can read', async () => {
    expect(await calculatorTool.invoke({ expression: '1 +' })).toMatch(/^Error: cannot evaluate "1 \+"/);
  });
});
