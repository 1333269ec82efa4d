# every test file, registered through waferscope_test()
