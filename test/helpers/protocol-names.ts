// Reads the wire contract's names (event names both ways, error codes) through the TypeScript checker, so the
// answer stays right when protocol.ts re-exports them, derives them from a const array or from schemas.
import ts from "typescript";

export interface ProtocolNames {
  clientEvents: string[];
  serverEvents: string[];
  errorCodes: string[];
}

export function readProtocolNames(protocolFile: string): ProtocolNames {
  const program = ts.createProgram([protocolFile], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(protocolFile);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${protocolFile} is not a module`);
  const exports = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.getName(), s]));

  const typeOf = (name: string): ts.Type => {
    const found = exports.get(name);
    if (!found) throw new Error(`${protocolFile} exports no ${name}`);
    const symbol = found.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(found) : found;
    return checker.getDeclaredTypeOfSymbol(symbol);
  };
  const keysOf = (name: string): string[] => checker.getPropertiesOfType(typeOf(name)).map((p) => p.getName()).sort();
  const stringLiteralsOf = (name: string): string[] => {
    const type = typeOf(name);
    const members = type.isUnion() ? type.types : [type];
    const literals = members.filter((t): t is ts.StringLiteralType => t.isStringLiteral()).map((t) => t.value);
    if (literals.length !== members.length) throw new Error(`${name} is not a union of string literals`);
    return literals.sort();
  };

  return {
    clientEvents: keysOf("ClientToServerEvents"),
    serverEvents: keysOf("ServerToClientEvents"),
    errorCodes: stringLiteralsOf("ErrorCode"),
  };
}
