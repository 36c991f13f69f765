using CertLsp.Core.Checking;
using CertLsp.Core.Diagnostics;

namespace CertLsp.Cli.Output;

public interface IReport
{
    void Write(CheckResult result, TextWriter output);
}
