using CertLsp.Core.Checking;

namespace CertLsp.Cli.Output;

public interface IReport
{
    void Write(CheckResult result, TextWriter output);
}
