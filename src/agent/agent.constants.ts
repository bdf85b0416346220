/** Injection token of the compiled LangGraph ReAct agent. */
export const AGENT = Symbol('AGENT');
/** Injection token of the ModelCatalog: the models a request may choose, each with its fallbacks. */
export const MODEL_CATALOG = Symbol('MODEL_CATALOG');
