using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace CertLsp.Core.Tests.Layering;

/// <summary>
/// The server is async end to end: no assembly built from server/ blocks a thread on a task — Task.Wait, WaitAll or WaitAny,
/// Task&lt;T&gt;.Result, or GetAwaiter().GetResult() on a task that may still be running. Checked on the compiled IL of every
/// project under server/ (a new one is scanned as soon as it exists). An <c>await</c> compiles to GetAwaiter, IsCompleted and,
/// once it is complete, GetResult; a blocking call takes the awaiter's result straight away, and that is what is looked for.
/// The one wait allowed is the entry point the compiler writes around the CLI's async Main.
/// </summary>
public sealed class ServerStaysAsyncTests
{
    [Fact]
    public void No_server_assembly_blocks_on_a_task()
    {
        var found = ServerAssemblies().SelectMany(path => BlockingCalls(path).Select(call => $"{Path.GetFileName(path)}: {call}")).ToList();
        Assert.True(found.Count == 0, "blocking waits on tasks; await them instead:\n" + string.Join("\n", found));
    }

    [Fact]
    public void Every_server_project_is_scanned()
    {
        var projects = Directory.GetFiles(RepoPaths.Combine("server"), "*.csproj", SearchOption.AllDirectories);
        var assemblies = ServerAssemblies();
        Assert.Equal(projects.Length, assemblies.Count);
        Assert.Contains(Path.Combine(AppContext.BaseDirectory, "CertLsp.Workflows.dll"), assemblies);
        Assert.Contains(Path.Combine(AppContext.BaseDirectory, "certlsp.dll"), assemblies);
        Assert.All(assemblies, a => Assert.True(File.Exists(a),
            $"{a} is not beside the tests: the test support references the CLI, which must reference every server project"));
    }

    [Fact]
    public void The_scan_finds_each_way_of_blocking_and_passes_awaits()
    {
        string probe = typeof(Probe).FullName!;
        var found = BlockingCalls(typeof(Probe).Assembly.Location).Where(c => c.StartsWith(probe, StringComparison.Ordinal)).ToList();
        Assert.Equal(
        [
            $"{probe}.Wait: Task.Wait",
            $"{probe}.WaitAll: Task.WaitAll",
            $"{probe}.Result: Task`1.get_Result",
            $"{probe}.GetResult: GetAwaiter().GetResult()",
            $"{probe}.ConfiguredGetResult: GetAwaiter().GetResult()",
            $"{probe}.ValueTaskGetResult: GetAwaiter().GetResult()",
        ], found);
    }

    /// <summary>Each way of blocking on a task, once, and awaits (compiled into Probe+&lt;Awaits&gt;d__N.MoveNext), which must
    /// pass.</summary>
    internal static class Probe
    {
        public static void Wait(Task task) => task.Wait();

        public static void WaitAll(Task task) => Task.WaitAll(task);

        public static int Result(Task<int> task) => task.Result;

        public static int GetResult(Task<int> task) => task.GetAwaiter().GetResult();

        public static void ConfiguredGetResult(Task task) => task.ConfigureAwait(false).GetAwaiter().GetResult();

        public static void ValueTaskGetResult(ValueTask task) => task.GetAwaiter().GetResult();

        public static async Task<int> Awaits(Task<int> task, ValueTask other)
        {
            await other.ConfigureAwait(false);
            return await task.ConfigureAwait(false) + await task;
        }
    }

    /// <summary>The assembly of each project under server/, as built beside the tests.</summary>
    private static List<string> ServerAssemblies() =>
        [.. Directory.GetFiles(RepoPaths.Combine("server"), "*.csproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(project => Path.Combine(AppContext.BaseDirectory, AssemblyName(project) + ".dll"))];

    private static string AssemblyName(string project) =>
        XDocument.Load(project).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(project);

    /// <summary>"Type.Method: call" for each blocking wait on a task in the assembly's method bodies, in IL order.</summary>
    private static List<string> BlockingCalls(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var found = new List<string>();
        // The entry point the compiler writes for an async Main waits for it: the process's first thread has nothing else to do.
        var entryPoint = MetadataTokens.EntityHandle(pe.PEHeaders.CorHeader!.EntryPointTokenOrRelativeVirtualAddress);
        foreach (var typeHandle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(typeHandle);
            foreach (var methodHandle in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(methodHandle);
                if (method.RelativeVirtualAddress == 0 || (methodHandle == entryPoint
                    && reader.GetString(method.Name) == "<Main>")) continue;
                string where = $"{MetadataNames.Of(reader, type)}.{reader.GetString(method.Name)}";
                // An awaiter just taken from a task: its result taken before anything asks whether the task has completed blocks.
                bool freshAwaiter = false;
                foreach (int token in CallTokens(pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader()))
                {
                    var handle = MetadataTokens.EntityHandle(token);
                    if (handle.Kind != HandleKind.MemberReference) continue;
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    string name = reader.GetString(member.Name);
                    if (MetadataNames.OfParent(reader, member.Parent) is not { } parent) continue;
                    bool awaiter = parent.StartsWith("System.Runtime.CompilerServices.", StringComparison.Ordinal)
                        && parent.Contains("Awaiter", StringComparison.Ordinal);
                    if (name == "GetAwaiter" && (parent.StartsWith("System.Threading.Tasks.", StringComparison.Ordinal) || awaiter
                        || parent.Contains("Awaitable", StringComparison.Ordinal)))
                    {
                        freshAwaiter = true;
                        continue;
                    }
                    if (awaiter && name == "GetResult" && freshAwaiter) found.Add($"{where}: GetAwaiter().GetResult()");
                    else if (parent == "System.Threading.Tasks.Task" && name is "Wait" or "WaitAll" or "WaitAny") found.Add(
                        $"{where}: Task.{name}");
                    else if (parent is "System.Threading.Tasks.Task`1" or "System.Threading.Tasks.ValueTask`1"
                        && name == "get_Result") found.Add($"{where}: {parent[(parent.LastIndexOf('.') + 1)..]}.get_Result");
                    if (awaiter) freshAwaiter = false;
                }
            }
        }
        return found;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The method tokens of a body's call and callvirt instructions, in order (ECMA-335 III: opcodes and their
    /// operands).</summary>
    private static List<int> CallTokens(BlobReader il)
    {
        var tokens = new List<int>();
        while (il.RemainingBytes > 0)
        {
            short value = il.ReadByte();
            if (value == 0xFE) value = (short)(0xFE00 | il.ReadByte());
            var opcode = OpCodesByValue[value];
            switch (opcode.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.ReadByte();
                    break;
                case OperandType.InlineVar:
                    il.ReadInt16();
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.ReadInt64();
                    break;
                case OperandType.InlineSwitch:
                    int targets = il.ReadInt32();
                    for (int i = 0; i < targets; i++) il.ReadInt32();
                    break;
                default: // four bytes: a token, a branch target, an int32 or a float32
                    int operand = il.ReadInt32();
                    if (opcode == OpCodes.Call || opcode == OpCodes.Callvirt) tokens.Add(operand);
                    break;
            }
        }
        return tokens;
    }
}
