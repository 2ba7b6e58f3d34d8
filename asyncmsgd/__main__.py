from asyncmsgd.cli import main

raise SystemExit(main())
