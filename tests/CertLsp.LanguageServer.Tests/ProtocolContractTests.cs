using System.Collections;
using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using CertLsp.LanguageServer.Commands;
using CertLsp.LanguageServer.Protocol;
using StreamJsonRpc;

namespace CertLsp.LanguageServer.Tests;

/// <summary>
/// The one protocol contract: the TypeScript client's <c>client/src/protocol.ts</c> and the server's command and method names and
/// records, held to each other. A command, request or field renamed, added or removed on one side alone fails here.
/// </summary>
public sealed partial class ProtocolContractTests
{
    private static readonly Lazy<TypeScriptDeclarations> Client = new(() =>
        TypeScriptDeclarations.Parse(File.ReadAllText(Path.Combine(Repository.Root, "client", "src", "protocol.ts"))));

    [Fact]
    public void The_clients_server_commands_are_the_commands_the_server_registers_and_advertises()
    {
        var client = Client.Value.Constant("ServerCommand").Values.Order(StringComparer.Ordinal);
        Assert.Equal(CommandRegistry.Default.Names.Order(StringComparer.Ordinal), client);
        Assert.Equal(CommandRegistry.Default.Names, CertLspServer.Capabilities().ExecuteCommandProvider!.Commands);
        Assert.Equal(client, Client.Value.MapKeys("ServerCommandTypes").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_clients_own_command_and_custom_requests_are_the_servers()
    {
        Assert.Equal(CertLspCommands.ImportCertificatesPrompt, Client.Value.Constant("ImportPromptCommand")[""]);
        Assert.DoesNotContain(CertLspCommands.ImportCertificatesPrompt, CommandRegistry.Default.Names);
        Assert.Equal(CertLspCommands.ReviewChangesPrompt, Client.Value.Constant("ReviewPromptCommand")[""]);
        Assert.DoesNotContain(CertLspCommands.ReviewChangesPrompt, CommandRegistry.Default.Names);
        Assert.Equal(CertLspCommands.SiteStatus, Client.Value.Constant("SiteStatusRequest")[""]);
        Assert.Equal(CustomRequests().Keys.Order(StringComparer.Ordinal),
            Client.Value.MapKeys("ServerRequestTypes").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_commands_argument_and_result_have_the_shape_the_client_declares()
    {
        var problems = new List<string>();
        foreach (var command in CommandRegistry.Default.Commands)
        {
            var (arguments, result) = Client.Value.Map("ServerCommandTypes", command.Name);
            Compare(TsType.Parse(arguments), command.ArgumentsType, Role.Sent, $"{command.Name} argument", problems);
            Compare(TsType.Parse(result), command.ResultType, Role.Answered, $"{command.Name} result", problems);
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void Each_custom_requests_params_and_result_have_the_shape_the_client_declares()
    {
        var problems = new List<string>();
        foreach (var (method, (parameters, result)) in CustomRequests())
        {
            var (tsParams, tsResult) = Client.Value.Map("ServerRequestTypes", method);
            Compare(TsType.Parse(tsParams), parameters, Role.Sent, $"{method} params", problems);
            Compare(TsType.Parse(tsResult), result, Role.Answered, $"{method} result", problems);
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void The_initialization_options_and_the_trust_settings_have_the_shape_the_client_sends()
    {
        var problems = new List<string>();
        Compare(TsType.Parse("InitializationOptions"), typeof(InitializationOptions), Role.Sent, "initializationOptions", problems);
        Compare(TsType.Parse("TrustSettings"), typeof(ConfigurationSettings), Role.Sent, "didChangeConfiguration settings", problems);
        // The settings' other member is VS Code's “certlsp” section, which the client sends by itself (synchronize.configurationSection).
        Assert.Equal(
            ["didChangeConfiguration settings (TrustSettings).exclude: ConfigurationSettings reads it, the client never sends it"],
            problems);
    }

    [Fact]
    public void The_comparison_finds_a_field_renamed_on_one_side()
    {
        var declarations = TypeScriptDeclarations.Parse("""
            export interface A { uri: string; scope?: string; renewal?: boolean }
            export interface R { requested: number; zips: string[]; message?: string; extra: number }
            """);
        var problems = new List<string>();
        Compare(TsType.Parse("A"), typeof(GenerateCsrsArguments), Role.Sent, "args", problems, declarations);
        Compare(TsType.Parse("R"), typeof(GenerateCsrsResult), Role.Answered, "result", problems, declarations);
        Assert.Contains(problems, p => p.Contains("renewal", StringComparison.Ordinal)); // the client's name the server does not read
        Assert.Contains(problems, p => p.Contains("renew", StringComparison.Ordinal)
            && p.Contains("never sends", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("extra", StringComparison.Ordinal)); // a result field the server never sends
    }

    /// <summary>The server's own requests (certlsp/…): their params and result types, from the handlers' signatures.</summary>
    private static Dictionary<string, (Type Params, Type Result)> CustomRequests() =>
        typeof(CertLspServer).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => (Method: m, Name: m.GetCustomAttribute<JsonRpcMethodAttribute>()?.Name))
            .Where(m => m.Name is not null && m.Name.StartsWith("certlsp/", StringComparison.Ordinal))
            .ToDictionary(
                m => m.Name!,
                m => (m.Method.GetParameters().Single(p => p.ParameterType != typeof(CancellationToken)).ParameterType,
                    Unwrap(m.Method.ReturnType)));

    private static Type Unwrap(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>)
        ? type.GetGenericArguments()[0] : type;

    /// <summary>Sent: the client writes, the server reads (names match both ways; what the client may leave out, the server must not
    /// require). Answered: the server writes.</summary>
    private enum Role
    {
        Sent,
        Answered,
    }

    private static readonly NullabilityInfoContext Nullability = new();

    private sealed record Member(string Name, Type Type, bool Optional);

    /// <summary>A record's JSON members: its constructor's parameters when it is read (their defaults make them optional), its properties
    /// when it is written.</summary>
    private static Dictionary<string, Member> Members(Type type, Role role)
    {
        var members = new Dictionary<string, Member>(StringComparer.Ordinal);
        if (role == Role.Sent)
        {
            var constructor = type.GetConstructors().MaxBy(c => c.GetParameters().Length)!;
            foreach (var p in constructor.GetParameters())
            {
                bool nullable = Nullability.Create(p).ReadState == NullabilityState.Nullable;
                members[JsonName(type.GetProperty(p.Name!)!)] = new Member(p.Name!, p.ParameterType, nullable || p.HasDefaultValue);
            }
        }
        else
        {
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p =>
                p.GetCustomAttribute<JsonIgnoreAttribute>() is null))
            {
                members[JsonName(p)] = new Member(p.Name, p.PropertyType, Nullability.Create(p).ReadState == NullabilityState.Nullable);
            }
        }
        return members;
    }

    private static string JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
            ?? System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    private static void Compare(TsType ts, Type type, Role role, string path, List<string> problems, TypeScriptDeclarations? declarations =
        null)
    {
        declarations ??= Client.Value;
        type = Nullable.GetUnderlyingType(type) ?? type;
        switch (ts)
        {
            case TsType.Array array:
                var element = type.IsArray ? type.GetElementType()
                    : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType
                    && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
                if (type == typeof(string) || element is null) problems.Add(
                    $"{path}: the client declares a list, the server has {type.Name}");
                else Compare(array.Element, element, role, $"{path}[]", problems, declarations);
                return;
            case TsType.Named { Name: "string" } or TsType.Literals:
                if (type != typeof(string)) problems.Add($"{path}: the client declares text, the server has {type.Name}");
                return;
            case TsType.Named { Name: "number" }:
                if (type != typeof(int) && type != typeof(long) && type != typeof(double)) problems.Add(
                    $"{path}: the client declares a number, the server has {type.Name}");
                return;
            case TsType.Named { Name: "boolean" }:
                if (type != typeof(bool)) problems.Add($"{path}: the client declares a boolean, the server has {type.Name}");
                return;
            case TsType.Named named when declarations.Alias(named.Name) is { } alias:
                Compare(alias, type, role, path, problems, declarations);
                return;
            case TsType.Named named:
                Compare(new TsType.Object(declarations.Interface(named.Name)), type, role, $"{path} ({named.Name})", problems,
                    declarations);
                return;
            case TsType.Object obj:
                if (type.IsPrimitive || type == typeof(string) || typeof(IEnumerable).IsAssignableFrom(type))
                {
                    problems.Add($"{path}: the client declares an object, the server has {type.Name}");
                    return;
                }
                var members = Members(type, role);
                foreach (var (name, field) in obj.Fields)
                {
                    if (!members.TryGetValue(name, out var member))
                    {
                        problems.Add(role == Role.Sent
                            ? $"{path}.{name}: the client sends it, {type.Name} does not read it"
                            : $"{path}.{name}: the client reads it, {type.Name} never sends it");
                        continue;
                    }
                    if (role == Role.Sent && field.Optional && !member.Optional) problems.Add(
                        $"{path}.{name}: the client may leave it out, {type.Name} requires it");
                    if (role == Role.Answered && !field.Optional && member.Optional) problems.Add(
                        $"{path}.{name}: the client counts on it, {type.Name} may leave it out");
                    Compare(field.Type, member.Type, role, $"{path}.{name}", problems, declarations);
                }
                if (role == Role.Sent)
                {
                    foreach (var name in members.Keys.Where(n => !obj.Fields.ContainsKey(n))) problems.Add(
                        $"{path}.{name}: {type.Name} reads it, the client never sends it");
                }
                return;
        }
    }

    /// <summary>A TypeScript type as protocol.ts writes them: a name, a list, a union of string literals, an object literal, a
    /// tuple.</summary>
    internal abstract record TsType
    {
        public sealed record Named(string Name) : TsType;

        public sealed record Array(TsType Element) : TsType;

        public sealed record Literals(string[] Values) : TsType;

        public sealed record Object(IReadOnlyDictionary<string, (TsType Type, bool Optional)> Fields) : TsType;

        public sealed record Tuple(TsType[] Items) : TsType;

        public static TsType Parse(string text)
        {
            text = text.Trim();
            if (text.EndsWith("[]", StringComparison.Ordinal)) return new Array(Parse(text[..^2]));
            if (text.StartsWith('{')) return new Object(TypeScriptDeclarations.Fields(text[1..^1]));
            if (text.StartsWith('[')) return new Tuple([.. TypeScriptDeclarations.Split(text[1..^1], ',').Select(Parse)]);
            if (text.StartsWith('\'')) return new Literals([.. text.Split('|').Select(v => v.Trim().Trim('\''))]);
            return new Named(text);
        }
    }

    /// <summary>The exported interfaces, type aliases and constants of a TypeScript file (the subset protocol.ts uses).</summary>
    internal sealed partial class TypeScriptDeclarations
    {
        private readonly Dictionary<string, string> interfaces = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string[]> bases = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> aliases = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Dictionary<string, string>> constants = new(StringComparer.Ordinal);

        public static TypeScriptDeclarations Parse(string source)
        {
            var declarations = new TypeScriptDeclarations();
            source = Comments().Replace(source, "");
            foreach (Match m in InterfaceStart().Matches(source))
            {
                int open = m.Index + m.Length - 1;
                declarations.interfaces[m.Groups["name"].Value] = source[(open + 1)..Closing(source, open)];
                declarations.bases[m.Groups["name"].Value] = m.Groups["base"].Success
                    ? [.. m.Groups["base"].Value.Split(',', StringSplitOptions.TrimEntries)] : [];
            }
            foreach (Match m in Alias().Matches(source)) declarations.aliases[m.Groups["name"].Value] = m.Groups["type"].Value;
            foreach (Match m in StringConstant().Matches(source)) declarations.constants[m.Groups["name"].Value] =
                new() { [""] = m.Groups["value"].Value };
            foreach (Match m in ObjectConstant().Matches(source))
            {
                int open = m.Index + m.Length - 1;
                declarations.constants[m.Groups["name"].Value] = Split(source[(open + 1)..Closing(source, open)], ',')
                    .Select(entry => entry.Split(':', 2))
                    .ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim().Trim('\''), StringComparer.Ordinal);
            }
            return declarations;
        }

        public IReadOnlyDictionary<string, string> Constant(string name) =>
            constants.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"protocol.ts declares no constant {name}");

        public TsType? Alias(string name) => aliases.TryGetValue(name, out var type) ? TsType.Parse(type) : null;

        /// <summary>An interface's fields, those of the interfaces it extends included.</summary>
        public IReadOnlyDictionary<string, (TsType Type, bool Optional)> Interface(string name)
        {
            if (!interfaces.TryGetValue(name, out var body)) throw new KeyNotFoundException($"protocol.ts declares no interface {name}");
            var fields = new Dictionary<string, (TsType Type, bool Optional)>(StringComparer.Ordinal);
            foreach (var b in bases[name]) foreach (var (key, value) in Interface(b)) fields[key] = value;
            foreach (var (key, value) in Fields(body)) fields[key] = value;
            return fields;
        }

        /// <summary>The keys of an interface used as a map (<c>[ServerCommand.x]: …</c> or <c>'name': …</c>), resolved to their
        /// text.</summary>
        public IEnumerable<string> MapKeys(string name) => Members(name).Select(m => m.Key);

        /// <summary>The entry of a map interface whose value is the tuple <c>[Sent, Answered]</c>.</summary>
        public (string Sent, string Answered) Map(string name, string key)
        {
            var entry = Members(name).Where(m => m.Key == key).Select(m => m.Type).FirstOrDefault()
                ?? throw new KeyNotFoundException($"protocol.ts: {name} has no entry for {key}");
            var items = Split(entry.Trim()[1..^1], ',');
            return items is [var sent, var answered] ? (sent.Trim(), answered.Trim())
                : throw new FormatException($"{name}[{key}] is not [params, result]");
        }

        private IEnumerable<(string Key, string Type)> Members(string name)
        {
            if (!interfaces.TryGetValue(name, out var body)) throw new KeyNotFoundException($"protocol.ts declares no interface {name}");
            foreach (var member in Split(body, ';'))
            {
                int colon = member.IndexOf("]:", StringComparison.Ordinal) is > 0 and var c ? c + 1
                    : member.IndexOf(':', StringComparison.Ordinal);
                string key = member[..colon].Trim();
                string type = member[(colon + 1)..].Trim();
                if (key.StartsWith('[') && key.EndsWith(']'))
                {
                    var reference = key[1..^1].Split('.');
                    key = Constant(reference[0])[reference.Length > 1 ? reference[1] : ""];
                }
                yield return (key.Trim('\''), type);
            }
        }

        public static Dictionary<string, (TsType Type, bool Optional)> Fields(string body)
        {
            var fields = new Dictionary<string, (TsType, bool)>(StringComparer.Ordinal);
            foreach (var member in Split(body, ';'))
            {
                int colon = member.IndexOf(':', StringComparison.Ordinal);
                string name = member[..colon].Trim();
                bool optional = name.EndsWith('?');
                fields[name.TrimEnd('?')] = (TsType.Parse(member[(colon + 1)..]), optional);
            }
            return fields;
        }

        /// <summary>Splits at the separator (and at line ends, for <c>;</c>) outside brackets and braces; empty parts are
        /// dropped.</summary>
        public static List<string> Split(string text, char separator)
        {
            var parts = new List<string>();
            int depth = 0, start = 0;
            for (int i = 0; i <= text.Length; i++)
            {
                char c = i < text.Length ? text[i] : separator;
                if (c is '{' or '[' or '(')
                {
                    depth++;
                }
                else if (c is '}' or ']' or ')')
                {
                    depth--;
                }
                else if (depth == 0 && (c == separator || (separator == ';' && c == '\n')))
                {
                    if (text[start..i].Trim() is { Length: > 0 } part) parts.Add(part);
                    start = i + 1;
                }
            }
            return parts;
        }

        private static int Closing(string source, int open)
        {
            int depth = 0;
            for (int i = open; i < source.Length; i++)
            {
                if (source[i] == '{') depth++;
                else if (source[i] == '}' && --depth == 0) return i;
            }
            throw new FormatException("unbalanced braces in protocol.ts");
        }

        [GeneratedRegex(@"/\*.*?\*/|//[^\n]*", RegexOptions.Singleline)]
        private static partial Regex Comments();

        [GeneratedRegex(@"export interface (?<name>\w+)(?:\s+extends\s+(?<base>[\w, ]+?))?\s*\{")]
        private static partial Regex InterfaceStart();

        [GeneratedRegex(@"export type (?<name>\w+)\s*=\s*(?<type>[^;]+);")]
        private static partial Regex Alias();

        [GeneratedRegex(@"export const (?<name>\w+)\s*=\s*'(?<value>[^']*)'\s*;")]
        private static partial Regex StringConstant();

        [GeneratedRegex(@"export const (?<name>\w+)\s*=\s*\{")]
        private static partial Regex ObjectConstant();
    }
}
