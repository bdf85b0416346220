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

  it('reports a bad expression as a result the model can read', async () => {
    expect(await calculatorTool.invoke({ expression: '1 +' })).toMatch(/^Error: cannot evaluate "1 \+"/);
  });
});
