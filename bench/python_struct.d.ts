// Types for the untyped `python-struct` npm package (a benchmark peer only).
declare module "python-struct" {
  const PythonStruct: {
    pack(format: string, values: unknown[]): Uint8Array;
    unpack(format: string, data: Uint8Array): unknown[];
    sizeOf(format: string): number;
  };
  export default PythonStruct;
}
