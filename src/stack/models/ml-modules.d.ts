// ml-cart ships no type declarations; only the part the stack uses is declared.
declare module 'ml-cart' {
  export interface DecisionTreeOptions {
    gainFunction?: 'gini' | 'regression';
    splitFunction?: 'mean';
    minNumSamples?: number;
    maxDepth?: number;
    gainThreshold?: number;
  }
  export class DecisionTreeClassifier {
    constructor(options?: DecisionTreeOptions | boolean, model?: unknown);
    train(x: number[][], y: number[]): void;
    predict(x: number[][]): number[];
    toJSON(): Record<string, unknown>;
    static load(model: unknown): DecisionTreeClassifier;
    root: unknown;
  }
}
