import type { StructuredToolInterface } from '@langchain/core/tools';
import type { BuiltinToolName } from '../../config/env.validation';
import { calculatorTool } from './calculator.tool';
import { currentTimeTool } from './current-time.tool';

/** The tools that ship with the service, by the names AGENT_BUILTIN_TOOLS selects them with. */
export const BUILTIN_TOOLS: Record<BuiltinToolName, StructuredToolInterface> = {
  current_time: currentTimeTool,
  calculator: calculatorTool,
};
