System.Console.WriteLine("floor");
